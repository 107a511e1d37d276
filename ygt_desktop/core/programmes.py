"""The patient programmes a form file can name: registers (登记, kept until closed) and
episodes (病程, from an opening record to a closing one), with their Chinese names.

Which form opens, follows or belongs to which programme is said by the form files
(``register = "htn"``, ``requires = "htn"``, ``episode = "tb"``, ``opens_episode``) and
read from them by :class:`~.forms.FormRegistry` (``register_forms`` …); only the names
live here, so the form loader, the expression context, storage and the lists agree.
"""

from __future__ import annotations

from collections.abc import Mapping

REGISTERS = {"htn": "高血压", "dm": "2型糖尿病", "smi": "严重精神障碍"}
EPISODES = {"pregnancy": "妊娠", "tb": "肺结核病例"}
# 随访方式 codes that are face to face (门诊, 家庭); 电话 does not count as a follow-up seen.
FACE_TO_FACE = ("1", "2")
# When an archive closes (迁出 / 死亡 / 注销), what it ends takes the reason of its own
# form's list whose label is the closing type; a type the list lacks (注销) is 其他.
OTHER_REASON = "其他"


def ending_code(labels: Mapping[str, str], status: str) -> str | None:
    """The code among ``labels`` (code → label of a reason list) labelled ``status``,
    else the one labelled :data:`OTHER_REASON`; None when the list has neither."""
    by_label = {label: code for code, label in labels.items()}
    return by_label.get(status, by_label.get(OTHER_REASON))
