"""The window's panels: tables, forms and text views over the session."""
