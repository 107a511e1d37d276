"""How a resident is shown, defined once (issue 10): the 性别 labels come from the
standard code list, the column headers agree with the resident form, and the lists and
exports that show a resident use both."""

from __future__ import annotations

from ygt_desktop.core.forms import FormRegistry, load_code_list
from ygt_desktop.core.resident import HEADERS, headers, sex_label, sex_labels
from ygt_desktop.paths import forms_dir, resources_dir


def test_sex_labels_are_the_code_list_without_its_suffix():
    codes = load_code_list(resources_dir() / "codes" / "sex.toml")
    assert sex_labels() == {c.code: c.label.removesuffix("的性别") for c in codes}
    assert sex_labels() == {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
    assert sex_label("2") == "女" and sex_label(None) == "" and sex_label("7") == ""


def test_headers_are_the_resident_form_labels_where_it_has_the_field():
    form = FormRegistry.load(forms_dir(), resources_dir() / "codes")["resident"]
    shared = [k for k in HEADERS if k in form.by_id]
    assert {"name", "sex", "birth_date", "id_number", "phone"} <= set(shared)
    assert {k: HEADERS[k] for k in shared} == {k: form.field(k).label for k in shared}
    assert headers("name", "sex") == ("姓名", "性别")


def test_lists_and_exports_use_the_shared_headers():
    from ygt_desktop.reports import line_lists_export, worklist_rows

    assert worklist_rows.COLUMNS[2:7] == headers("name", "sex", "age", "village", "phone")
    assert [label for _, label, _ in line_lists_export.IDENTITY] == [
        HEADERS[key] for key, _, _ in line_lists_export.IDENTITY
    ]
