"""The patient programmes a form file can name: registers (登记, kept until closed) and
episodes (病程, from an opening record to a closing one), with their Chinese names.

Which form opens, follows or belongs to which programme is said by the form files
(``register = "htn"``, ``requires = "htn"``, ``episode = "tb"``, ``opens_episode``) and
read from them by :class:`~.forms.FormRegistry` (``register_forms`` …); only the names
live here, so the form loader, the expression context, storage and the lists agree.
"""

from __future__ import annotations

REGISTERS = {"htn": "高血压", "dm": "2型糖尿病", "smi": "严重精神障碍"}
EPISODES = {"pregnancy": "妊娠", "tb": "肺结核病例"}
# 随访方式 codes that are face to face (门诊, 家庭); 电话 does not count as a follow-up seen.
FACE_TO_FACE = ("1", "2")
