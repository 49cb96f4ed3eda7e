"""The form renderer (``settings.FORM_RENDERER``): Django's own, except that a ``<select>`` and an ``<input>``
are written in Python instead of through templates.

A country list has some 250 options; Django renders each through two included templates, which made the
public sign-on form of a declaration cost ~50 ms of server time, nine tenths of it drawing two country
lists. The HTML written here is the same, byte for byte, as Django's templates write it
(tests/core/test_form_renderer.py compares both); a widget with its own option template still goes through
the templates."""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's widget templates that are only ``{% include "django/forms/widgets/input.html" %}``
INPUTS = {f"django/forms/widgets/{kind}.html" for kind in (
    "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search",
    "tel", "text", "time", "url")}


def _attrs(attrs):
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _option(option):
    return (f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f'{conditional_escape(localize(option["label"]))}</option>\n')  # the option template ends with a newline


def render_select(widget):
    """The HTML of a select widget's context, or None when an option has a template of its own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)  # Django strips the rendered select


def render_input(widget):
    """The HTML of an input widget's context, as django/forms/widgets/input.html writes it."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"{shown}' \
           f'{_attrs(widget["attrs"])}>'


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS:
            return render_input(context["widget"])
        if template_name == SELECT:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)
