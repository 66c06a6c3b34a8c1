"""`python -m wxr2db`, and the `wxr2db` command (pyproject's script entry point).

The command line is imported inside main(), not at the top: the database writer is a spawned
process, and a spawned process imports the main module again. With the CLI imported at the top,
that child spent a quarter of a second more importing typer and the Markdown side before writing a row.
"""


def main() -> None:
    from .cli import app

    app(prog_name="wxr2db")


if __name__ == "__main__":
    main()
