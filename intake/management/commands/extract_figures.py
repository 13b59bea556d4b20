"""`manage.py extract_figures FILE [--published YYYY-MM-DD] [--language en|my]`: the candidate
figures in a .txt, .html or .pdf file, printed as the JSON list the API answers (each candidate
as Candidate.as_json; a bare list, so that it can be piped to jq or compared with a label)."""

import json
from datetime import date
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from intake.errors import IntakeInputError
from intake.extract import extract
from intake.reading import read_text


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published: {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Print the candidate figures the extractor finds in a .txt, .html or .pdf file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .txt, .html or .pdf file")
        parser.add_argument("--published", help="the publication date, YYYY-MM-DD")
        parser.add_argument("--language", choices=["en", "my"], help="default: detected")

    def handle(self, *args, file, published=None, language=None, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot be read ({error.strerror}).") from None
        published_on = _date(published) if published else None
        try:
            source = read_text(upload=SimpleUploadedFile(path.name, data))
            extraction = extract(
                source.text,
                published=published_on or source.published,
                language=language,
                publisher=source.publisher,
            )
        except IntakeInputError as error:
            raise CommandError(f"{file}: {error.message}") from None
        candidates = [candidate.as_json() for candidate in extraction.candidates]
        self.stdout.write(json.dumps(candidates, ensure_ascii=False, indent=2))
