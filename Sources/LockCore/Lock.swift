// The pure lock domain (issue 3).
