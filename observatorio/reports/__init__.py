"""Reports: the communal diagnosis, the monthly bulletin and thematic reports, as HTML and PDF."""
