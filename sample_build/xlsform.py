"""The field form for KoBoToolbox / ODK Collect: ``geodata/forms/bao-diem-nguy-co.xlsx``, built and checked.

The form is an XLSForm built from the table the importer reads too
(``hotspots/formats/odk_form.toml``): its questions are named after the risk points' fields, its
choices are the schema's allowed values with the app's labels (``hotspots.i18n.label``), and every
label and hint is in Vietnamese and English. The workbook is written with fixed timestamps, so a
rebuild is byte-identical, and pyxform must convert it to an XForm, as KoBoToolbox and ODK Central
do on upload. Run it with::

    python -m sample_build.xlsform [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import openpyxl
from openpyxl.xml.functions import tostring
from pyxform.errors import PyXFormError
from pyxform.xls2xform import ConvertResult, convert

from hotspots.config import GEODATA_DIR
from hotspots.errors import HotspotsError
from hotspots.formats import FIELD_FORM, FieldForm, FormQuestion
from hotspots.i18n import label, t

#: Folder of the built form.
FORMS_DIR: Final = GEODATA_DIR / "forms"
# Zip entries get this date (the earliest a zip can hold), so the bytes do not depend on the clock.
_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
_CORE_PROPERTIES: Final = "docProps/core.xml"


def build_form(out_dir: Path = FORMS_DIR, form: FieldForm = FIELD_FORM) -> Path:
    """Write the field form's XLSForm and check that pyxform converts it.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing); the file is ``form.file``.
    form
        The form's table (``hotspots.formats.FIELD_FORM``).

    Returns
    -------
    Path
        The workbook written.

    Raises
    ------
    HotspotsError
        When pyxform refuses the form or warns about it (the file is written all the same, to look
        at).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / form.file
    path.write_bytes(form_bytes(form))
    check_form(path)
    return path


def form_bytes(form: FieldForm = FIELD_FORM) -> bytes:
    """Return the XLSForm workbook as bytes: sheets ``survey``, ``choices`` and ``settings``.

    The same table gives the same bytes: fixed document timestamps, zip entries dated 1980.
    """
    book = openpyxl.Workbook()
    book.properties.creator = "hotspots"
    book.properties.title = t(form.title, form.default_language)
    book.properties.created = book.properties.modified = form.built
    survey = book.active
    survey.title = "survey"
    for row in survey_rows(form):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in choice_rows(form):
        choices.append(row)
    settings = book.create_sheet("settings")
    for row in settings_rows(form):
        settings.append(row)
    raw = io.BytesIO()
    book.save(raw)
    # Saving stamps the document as modified now: write its properties again, as built.
    book.properties.modified = form.built
    return _fixed_zip(raw.getvalue(), {_CORE_PROPERTIES: tostring(book.properties.to_tree())})


def survey_rows(form: FieldForm = FIELD_FORM) -> list[list[str]]:
    """Return the survey sheet: a header, then one row per question."""
    languages = list(form.languages)
    header = [
        "type",
        "name",
        *(f"label::{form.languages[lang]}" for lang in languages),
        *(f"hint::{form.languages[lang]}" for lang in languages),
        "required",
        "appearance",
        "parameters",
    ]
    rows = [header]
    for q in form.questions:
        kind = f"{q.type} {q.name}" if q.is_select else q.type
        labels = [t(q.label, lang) if q.label else "" for lang in languages]
        hints = [t(q.hint, lang) if q.hint else "" for lang in languages]
        rows.append([kind, q.name, *labels, *hints, "yes" if q.required else "", q.appearance, q.parameters])
    return rows


def choice_rows(form: FieldForm = FIELD_FORM) -> list[list[str]]:
    """Return the choices sheet: one row per allowed value of each choice question, labelled."""
    languages = list(form.languages)
    rows = [["list_name", "name", *(f"label::{form.languages[lang]}" for lang in languages)]]
    for q in form.questions:
        if q.is_select:
            rows.extend([q.name, value, *_choice_labels(q, value, languages)] for value in q.choices)
    return rows


def settings_rows(form: FieldForm = FIELD_FORM) -> list[list[str]]:
    """Return the settings sheet: title, id, version, default language and the submissions' name."""
    return [
        ["form_title", "form_id", "version", "default_language", "instance_name"],
        [
            t(form.title, form.default_language),
            form.form_id,
            form.version,
            form.languages[form.default_language],
            form.instance_name,
        ],
    ]


def check_form(path: Path) -> ConvertResult:
    """Convert the XLSForm to an XForm with pyxform, as KoBoToolbox and ODK Central do on upload.

    Returns
    -------
    pyxform.xls2xform.ConvertResult
        The XForm and pyxform's (empty) warnings.

    Raises
    ------
    HotspotsError
        When pyxform refuses the form, or warns about it.
    """
    warnings: list[str] = []
    try:
        result = convert(str(path), warnings=warnings, file_type=".xlsx")
    except PyXFormError as exc:
        msg = f"The field form {path.name} does not convert to an XForm: {exc}"
        raise HotspotsError(msg) from None
    if warnings:
        msg = f"pyxform warns about the field form {path.name}: {'; '.join(warnings)}"
        raise HotspotsError(msg)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Build the field form and return the exit code (0 written and checked, 1 refused).

    Parameters
    ----------
    argv
        Arguments without the program name; ``None`` reads ``sys.argv``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sample_build.xlsform",
        description="Build the XLSForm for KoBoToolbox / ODK Collect and check it with pyxform.",
    )
    parser.add_argument(
        "--out", type=Path, default=FORMS_DIR, metavar="DIR", help=f"folder to write (default {FORMS_DIR})"
    )
    args = parser.parse_args(argv)
    try:
        path = build_form(args.out)
    except HotspotsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Field form written and checked with pyxform: {path}")
    return 0


def _choice_labels(question: FormQuestion, value: str, languages: list[str]) -> list[str]:
    prefix = question.choice_labels or question.field or question.name
    return [label(prefix, value, lang) for lang in languages]


def _fixed_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Rewrite a zip with fixed entry dates and attributes, some entries replaced.

    openpyxl dates the zip's entries and the document's ``modified`` with the clock.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, replace.get(entry.filename, source.read(entry.filename)))
    return out.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
