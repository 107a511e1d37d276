"""Registers and episodes are named once (core/programmes.py) and which form opens or
follows each is read from the form files (issue 10: the register table was kept by hand
in six places)."""

from __future__ import annotations

from ygt_desktop.core.context import CONTEXT_NAMES
from ygt_desktop.core.forms import FormRegistry
from ygt_desktop.core.programmes import EPISODES, REGISTERS
from ygt_desktop.paths import forms_dir, resources_dir

FORMS = FormRegistry.load(forms_dir(), resources_dir() / "codes")


def test_each_register_has_its_opening_and_followup_form_from_the_files():
    opened = FORMS.register_forms()
    assert list(opened) == list(REGISTERS)  # every register, in REGISTERS order
    for key, form in opened.items():
        assert form.register == key
        followup = FORMS.followup_form(key)
        assert followup is not None and followup.requires == key and followup.kind == "service"
    assert {k: f.id for k, f in opened.items()} == {
        "htn": "htn_register",
        "dm": "dm_register",
        "smi": "smi_register",
    }
    assert FORMS.followup_form("htn").id == "htn_followup"


def test_each_episode_has_its_opening_form_from_the_files():
    openers = FORMS.episode_openers()
    assert list(openers) == list(EPISODES)
    assert all(f.episode == key and f.opens_episode for key, f in openers.items())
    assert {k: f.id for k, f in openers.items()} == {
        "pregnancy": "prenatal_first",
        "tb": "tb_notify",
    }


def test_a_registry_without_the_forms_has_no_registers():
    empty = FormRegistry({})
    assert empty.register_forms() == {} and empty.episode_openers() == {}
    assert empty.followup_form("htn") is None


def test_expressions_know_every_register_and_episode():
    for key, label in REGISTERS.items():
        assert CONTEXT_NAMES[f"has_{key}"] == f"已登记{label}"
    for key, label in EPISODES.items():
        assert CONTEXT_NAMES[f"open_{key}"] == f"有未结案的{label}"
