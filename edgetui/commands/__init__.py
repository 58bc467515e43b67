"""The headless subcommands behind `edgetui.cli`, one module each."""
