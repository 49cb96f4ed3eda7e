"""The form renderer writes <select> lists in Python: the same bytes as Django's templates, for every kind
of select the project uses, faster (bench figures in the commit, not asserted here)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from convoca.core.form_renderer import FormRenderer
from convoca.network.models import Organisation

DJANGO = DjangoTemplates()
OURS = FormRenderer()


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A"), ("b", "Bé <b>&"), (3, 3)], required=False)
    grouped = forms.ChoiceField(choices=[("", "---"), ("Fruit", [("apple", "Apple"), ("pear", "Pear")]),
                                         ("Veg", [("leek", gettext_lazy("Language"))])])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", 'Why "quoted"'), ("z", mark_safe("<i>z</i>"))],
                                     required=False)
    attrs = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")], widget=forms.Select(
        attrs={"disabled": True, "hidden": False, "data-x": '"><script>alert(1)</script>', "aria-describedby": "h"}))
    typed = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int, empty_value=None)


class Country(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["country", "sector"]


def _both(form_class, data, name):
    """The field drawn by our renderer and by Django's, from the same data."""
    ours, django = form_class(data, renderer=OURS), form_class(data, renderer=DJANGO)
    ours.is_valid(), django.is_valid()
    return ours[name].as_widget(), django[name].as_widget()


@pytest.mark.parametrize("data", [
    {},
    {"plain": "b", "grouped": "leek", "many": ["x", "z"], "attrs": "2", "typed": "2"},
    {"plain": "<nope>", "grouped": "nothing", "many": ["q"], "attrs": "9", "typed": "x"},  # bad input: shown, not chosen
])
def test_it_writes_the_same_html_as_djangos_templates(data):
    for name in Everything.base_fields:
        ours, django = _both(Everything, data or None, name)
        assert ours == django, name
        assert "<option" in ours


@pytest.mark.parametrize("language", ["es", "pt-br", "fr", "en"])
def test_it_writes_the_country_list_as_django_does_in_every_language(language, db):
    with override(language):
        ours, django = _both(Country, {"country": "GP", "sector": "x"}, "country")
        assert ours == django
        assert ours.count("<option") > 200 and 'value="GP" selected' in ours
        assert ours == str(Country({"country": "GP"})["country"])
    assert isinstance(get_default_renderer(), FormRenderer)  # the project's forms use this renderer


def test_it_escapes_what_a_label_or_value_could_smuggle():
    field = forms.ChoiceField(choices=[('"><script>x()</script>', "<img src=x onerror=y()>")])
    html = field.widget.render("f", None, renderer=OURS)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=y()&gt;" in html and 'value="&quot;&gt;&lt;script&gt;' in html


def test_it_lets_a_widget_with_its_own_option_template_use_the_templates():
    class Own(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Own(choices=[("a", "A")])
    assert widget.render("f", "a", renderer=OURS) == widget.render("f", "a", renderer=DJANGO)


class Inputs(forms.Form):
    name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autocomplete": "name", "data-q": '"<&>'}))
    email = forms.EmailField(required=False)
    share = forms.BooleanField(required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    count = forms.IntegerField(min_value=0, required=False)
    when = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)
    link = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "disabled": True, "hidden": False}),
                             required=False)
    file = forms.FileField(required=False)
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<b>&amp;</b>")}), required=False,
                           initial=mark_safe("<i>x</i>"))


@pytest.mark.parametrize("data", [
    None,
    {"name": "Ana", "email": "ana@example.org", "share": "on", "hidden": "7", "count": "3", "when": "2026-12-06",
     "at": "2026-12-06 10:00", "link": "https://example.org/?a=1&b=2", "secret": "s3cret"},
    {"name": '"><script>alert(1)</script>', "email": "not an email", "share": "yes", "hidden": "<x>",
     "count": "-1e9", "when": "31/02/2026", "at": "nope", "link": "javascript:alert(1)", "secret": "&amp;",
     "search": "%s %d {}"},  # bad input: shown back escaped, as Django shows it
])
@pytest.mark.parametrize("language", ["es", "fr"])
def test_it_writes_inputs_as_djangos_templates_do(data, language):
    with override(language):
        for name in Inputs.base_fields:
            ours, django = _both(Inputs, data, name)
            assert ours == django, name
            assert ours.startswith("<input") and "<script>" not in ours
