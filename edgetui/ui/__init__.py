"""The Textual wizard. The only package that imports Textual."""
