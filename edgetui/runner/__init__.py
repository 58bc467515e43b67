"""The one door to processes: commands are data, running one yields events."""
