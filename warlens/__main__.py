from warlens.cli import app

app()
