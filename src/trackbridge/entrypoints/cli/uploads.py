"""`trackbridge upload FILE --project NAME --kind ...`: a CRM file stored in this process, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn
from rich.table import Table

from trackbridge.entrypoints.cli.context import console, open_container, reports_errors
from trackbridge.services import projects as project_service
from trackbridge.services import uploads as service
from trackbridge.services.upload_ports import UploadInfo, UploadStatus

SHOWN_REJECTIONS = 20


def register(cli: typer.Typer) -> None:
    @cli.command("upload")
    @reports_errors
    def upload(
        file: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV, JSON or JSON Lines.")
        ],
        project: Annotated[str, typer.Option("--project", help="The project's name.")],
        kind: Annotated[str, typer.Option("--kind", help="customers, orders or simple_orders.")],
        merge: Annotated[str, typer.Option("--merge", help="SAVE, UPDATE or APPEND.")] = "UPDATE",
        columns: Annotated[
            str | None, typer.Option("--columns", help='Column mapping as JSON: {"their header": "our field"}.')
        ] = None,
    ) -> None:
        """Store CRM customers or orders from a file in Yandex Metrica's formats (docs/uploads.md)."""
        upload_kind = service.parse_kind(kind)
        mode = service.parse_merge_mode(merge)
        size = file.stat().st_size
        with open_container() as c:
            found = project_service.get_project(c.uow, project)
            info = service.create_upload(
                c.uow, found, upload_kind, mode, columns=columns, filename=file.name, bytes_total=size
            )
            with (
                Progress(
                    TextColumn("[bold]{task.description}"),
                    BarColumn(),
                    DownloadColumn(),
                    TransferSpeedColumn(),
                    TextColumn("{task.fields[rows]} rows"),
                    TimeElapsedColumn(),
                    console=console,
                ) as bar,
                file.open("rb") as source,
            ):
                task = bar.add_task(file.name, total=size, rows=0)

                def advance(current: UploadInfo | None, bytes_read: int) -> None:
                    rows = current.rows_read if current is not None else 0
                    bar.update(task, completed=min(bytes_read, size), rows=rows)

                final = service.process_upload(c.uow, found, info.id, source, on_progress=advance)
                bar.update(task, completed=size)
            _, rejected = service.get_upload(c.uow, found, info.id, limit=SHOWN_REJECTIONS)
        _print_summary(final)
        if rejected:
            table = Table(
                title=f"Rejected lines (first {len(rejected)} of {final.rows_rejected})", title_justify="left"
            )
            table.add_column("line", justify="right")
            table.add_column("reason")
            for line in rejected:
                table.add_row(str(line.line), line.reason)
            console.print(table)
        if final.status == UploadStatus.FAILED:
            raise typer.Exit(1)


def _print_summary(info: UploadInfo) -> None:
    table = Table(title=f"Upload {info.id}: {info.status}", show_header=False, title_justify="left")
    table.add_row("kind", info.kind.value)
    table.add_row("merge", info.merge_mode.value)
    table.add_row("rows read", str(info.rows_read))
    table.add_row("rows stored", str(info.rows_stored))
    table.add_row("rows skipped (APPEND, already stored)", str(info.rows_skipped))
    table.add_row("rows rejected", str(info.rows_rejected))
    if info.error:
        table.add_row("error", info.error)
    console.print(table)
