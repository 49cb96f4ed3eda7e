"""The create-poll form for people (issue 11): who votes defaults to what makes
sense now, delegates and bloc weights are picked from lists (never typed as
ids), the error summary names each field and links to it, each group's legend
stands above its choices."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from convoca.voting.models import Poll

from .helpers import add_delegate, check_in

URL = reverse("voting:create", args=["conferencia"])
BASE = {"title": "Comisión", "kind": "yes_no", "secrecy": "open", "weighting": "delegate", "majority": "simple",
        "base": "valid", "tie_break": "none"}


def page(as_user, world, data=None, language="en"):
    client = as_user(world.alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(URL, data, HTTP_ACCEPT_LANGUAGE=language) if data is not None else client.get(
        URL, HTTP_ACCEPT_LANGUAGE=language)
    return response, response.content.decode()


def checked_electorate(html):
    return re.search(r'<input type="radio" name="electorate" value="(\w+)"[^>]*checked', html).group(1)


def test_it_lets_all_accredited_delegates_vote_by_default_before_check_in(as_user, world):
    _, html = page(as_user, world)
    assert checked_electorate(html) == "accredited"


def test_it_lets_those_present_vote_by_default_once_check_in_has_begun(as_user, world):
    check_in(world.bob_reg)
    _, html = page(as_user, world)
    assert checked_electorate(html) == "present"


def test_it_offers_delegates_and_organisations_by_name_never_by_id(as_user, world):
    dora, dora_reg = add_delegate(world, "dora@example.org", "Dora Migrante", world.org_mx, present=False)
    _, html = page(as_user, world)
    assert "org:ID" not in html and "org:12" not in html and "reg:ID" not in html
    # The delegates: checkboxes with their names, folded in a list with a search box (a Search button without
    # JavaScript, htmx as one types: tests/voting/test_poll_form_weight.py).
    assert f'<input type="checkbox" name="chosen_voters" value="{world.bob_reg.pk}"' in html
    assert "Bob Delegado (Sindicato Andino)" in html and "Dora Migrante" in html
    # The bloc weights: a box beside each organisation of an accredited delegate.
    assert f'<label for="id_custom_weights_org_{world.org_co.pk}">Sindicato Andino</label>' in html
    assert f'<label for="id_custom_weights_org_{world.org_mx.pk}">Red Migrante del Norte</label>' in html
    assert html.count("<p class=\"picker-filter\" data-picker-filter>") == 2
    assert '<script src="/static/js/picker.js" defer>' in html
    assert "<details class=\"field picker\" data-picker data-picker-for=\"chosen_voters\">" in html  # folded


def test_it_puts_each_groups_legend_above_its_choices(as_user, world):
    _, html = page(as_user, world)
    group = re.search(r'<fieldset id="id_electorate".*?</fieldset>', html, re.S).group(0)
    assert group.index("<legend>Who votes") < group.index('name="electorate"')
    assert 'class="checkbox"><div id="id_chosen' not in html  # no label after a whole list


def test_it_creates_a_poll_with_chosen_voters_and_weights_picked_from_the_lists(as_user, world):
    response, _ = page(as_user, world, {**BASE, "electorate": "chosen", "chosen_voters": [str(world.bob_reg.pk)],
                                       f"custom_weights_org_{world.org_co.pk}": "2,5",
                                       f"custom_weights_org_{world.org_mx.pk}": ""})
    assert response.status_code == 302
    poll = Poll.objects.get()
    assert list(poll.chosen_voters.all()) == [world.bob_reg]
    assert poll.custom_weights == {f"org:{world.org_co.pk}": "2.5"}


@pytest.mark.parametrize("bad", ["three", "-2", "0", "1e999", "NaN", "Infinity", "99999999"])
def test_it_refuses_a_weight_that_is_not_a_positive_number_and_names_the_organisation(as_user, world, bad):
    response, html = page(as_user, world, {**BASE, "electorate": "accredited",
                                           f"custom_weights_org_{world.org_co.pk}": bad})
    assert response.status_code == 200 and not Poll.objects.exists()
    assert "Weight for Sindicato Andino: write a positive number" in html
    assert 'href="#id_custom_weights">Bloc weights: Weight for Sindicato Andino' in html
    assert f'value="{bad}"' in html  # the input is kept
    assert '<details class="field picker field-error" data-picker data-picker-for="custom_weights" open>' in html


def test_it_ignores_weights_for_organisations_not_in_the_list(as_user, world):
    response, _ = page(as_user, world, {**BASE, "electorate": "accredited", "custom_weights_org_999999": "5",
                                        "custom_weights": "org:1 = 3"})
    assert response.status_code == 302 and Poll.objects.get().custom_weights == {}


def test_it_refuses_a_chosen_group_without_delegates_with_the_field_named(as_user, world):
    response, html = page(as_user, world, {**BASE, "electorate": "chosen"})
    assert response.status_code == 200 and not Poll.objects.exists()
    assert 'href="#id_chosen_voters_0">The chosen delegates: ' in html
    assert 'data-picker-for="chosen_voters" open>' in html


def test_it_names_each_field_in_the_error_summary_and_links_to_it(as_user, world):
    _, html = page(as_user, world, {"kind": "nonsense"})
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert '<a href="#id_title">Question: This field is required.</a>' in summary
    assert '<a href="#id_kind_0">Kind of poll: Select a valid choice.' in summary
    assert '<a href="#id_secrecy_0">Secrecy: This field is required.</a>' in summary
    assert 'id="id_title"' in html and 'id="id_kind_0"' in html  # every link has its target


def test_it_names_the_field_in_french_with_its_spacing(as_user, world):
    _, html = page(as_user, world, {"kind": "yes_no"}, language="fr")
    assert re.search(r'<a href="#id_title">[^<]+\u00a0: ', html)


def test_it_refuses_chosen_voters_of_another_gathering_or_not_delegates(as_user, world):
    response, html = page(as_user, world, {**BASE, "electorate": "chosen",
                                           "chosen_voters": [str(world.olga_reg.pk), "abc", "-1"]})
    assert response.status_code == 200 and not Poll.objects.exists()
    assert 'href="#id_chosen_voters_0">The chosen delegates: ' in html
