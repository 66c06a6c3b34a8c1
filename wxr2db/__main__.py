from .cli import app

app(prog_name="wxr2db")
