"""Fix machinery shared by rules: CST edits, import insertion, applying fixes."""
