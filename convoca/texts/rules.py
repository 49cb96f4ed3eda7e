"""Who may translate: translators and coordinators, every translatable text.

Reading a text is the owning app's rule (a gathering is public, a draft
proposal is not); texts only decides who writes language versions and who
sees the translators' queue."""

import rules

from convoca.core.roles import is_coordinator, is_translator

can_translate = is_translator | is_coordinator

rules.add_perm("texts.view_queue", can_translate)
rules.add_perm("texts.translate", can_translate)
