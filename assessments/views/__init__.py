"""Views, one module per audience: respondents, members, accounts, consultants."""
