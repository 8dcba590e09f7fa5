"""Entry points: the HTTP API (api), the command line (cli) and the dashboard (web). They stay thin."""
