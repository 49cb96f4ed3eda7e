"""core.web and core.middleware.ServiceErrorMiddleware: one answer to a
service's refusal on every page.

This module is also the URLconf of its tests (``pytest.mark.urls``): the
site's own URLs plus a few small views built on the helpers, so requests go
through the real middleware, the real 403/404 handlers and real forms."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path

import convoca.urls
from convoca.core import errors, web
from convoca.gatherings.models import Gathering
from convoca.network.models import Organisation

pytestmark = pytest.mark.urls(__name__)


class NameForm(forms.Form):
    name = forms.CharField(max_length=100)
    other_languages = forms.CharField(required=False)


def _write(name):
    """A real write whose refusals depend on the name asked for."""
    refusals = {
        "taken": errors.ServiceError("That name is taken.", field="name"),
        "mapped": errors.ServiceError("Unknown language.", field="languages"),
        "nowhere": errors.ServiceError("Try again later.", field="no_such_field"),
        "general": errors.ServiceError("The registry is closed."),
        "refused": errors.PermissionDenied("Only coordinators can do this."),
        "missing": errors.NotFound("It is gone."),
    }
    if name in refusals:
        raise refusals[name]
    return Organisation.objects.create(name=name, country="CO")


def submit_view(request):
    form = NameForm(request.POST or None)
    saved = web.submit(
        request, form, lambda: _write(form.cleaned_data["name"]),
        lambda organisation: f"Saved {organisation.name}.", field_map={"languages": "other_languages"},
        redirect_to=request.GET.get("to"),
    )
    if saved:
        return saved
    return HttpResponse(repr(form.errors.get_json_data()), status=200)


def perform_view(request, name):
    return web.perform(request, lambda: _write(name), "Done.", "/elsewhere/")


def escaping_view(request, name):
    """A view that lets the service's refusal escape."""
    _write(name)
    return HttpResponse("written")


urlpatterns = [
    path("web-test/submit/", submit_view),
    path("web-test/perform/<str:name>/", perform_view),
    path("web-test/escape/<str:name>/", escaping_view),
    path("api/web-test/escape/<str:name>/", escaping_view),
    *convoca.urls.urlpatterns,
]
handler400 = convoca.urls.handler400
handler403 = convoca.urls.handler403
handler404 = convoca.urls.handler404
handler500 = convoca.urls.handler500


def _request(user=None, query=""):
    request = RequestFactory().get("/" + (f"?{query}" if query else ""))
    request.user = user
    return request


def _form(data=None):
    form = NameForm(data or {"name": "x"})
    assert form.is_valid()
    return form


# --- apply_service_error ------------------------------------------------------------


def test_it_shows_a_service_error_next_to_its_field():
    form = _form()
    web.apply_service_error(form, errors.ServiceError("That name is taken.", field="name"))
    assert form.errors == {"name": ["That name is taken."]}


def test_it_shows_a_service_error_without_a_field_at_the_top_of_the_form():
    form = _form()
    web.apply_service_error(form, errors.ServiceError("The registry is closed."))
    assert form.non_field_errors() == ["The registry is closed."]
    assert "name" not in form.errors


def test_it_puts_an_error_for_a_field_the_form_lacks_at_the_top():
    form = _form()
    web.apply_service_error(form, errors.ServiceError("Try again later.", field="no_such_field"))
    assert form.non_field_errors() == ["Try again later."]


def test_it_renames_service_fields_to_form_fields():
    form = _form()
    web.apply_service_error(form, errors.ServiceError("Unknown language.", field="languages"),
                            {"languages": "other_languages"})
    assert form.errors == {"other_languages": ["Unknown language."]}
    form = _form()
    web.apply_service_error(form, errors.ServiceError("Bad file."), {None: "name"})
    assert form.errors == {"name": ["Bad file."]}


def test_it_turns_a_refusal_into_403_and_a_missing_object_into_404_not_a_form_error():
    form = _form()
    with pytest.raises(Forbidden, match="Only coordinators"):
        web.apply_service_error(form, errors.PermissionDenied("Only coordinators can do this."))
    with pytest.raises(Http404, match="It is gone"):
        web.apply_service_error(form, errors.NotFound("It is gone."))
    assert form.errors == {}


# --- require and get_for_user ------------------------------------------------------


def test_it_requires_a_permission(world):
    web.require(_request(world.alice), "gatherings.change_gathering", world.conference)
    with pytest.raises(Forbidden):
        web.require(_request(world.bob), "gatherings.change_gathering", world.conference)
    web.require(_request(world.carla), "gatherings.change_gathering", world.prep_co)
    with pytest.raises(Forbidden):
        web.require(_request(world.carla), "gatherings.change_gathering", world.prep_mx)


def test_it_gets_an_object_by_model_queryset_or_value(world):
    request = _request(world.alice)
    assert web.get_for_user(request, Gathering, slug="prep-co") == world.prep_co
    assert web.get_for_user(request, Gathering.objects.filter(country="MX"), pk=world.prep_mx.pk) == world.prep_mx
    assert web.get_for_user(request, Gathering.objects, slug="conferencia") == world.conference
    assert web.get_for_user(request, world.prep_co, "gatherings.change_gathering") == world.prep_co


def test_it_answers_404_before_checking_the_permission(world):
    request = _request(world.bob)
    with pytest.raises(Http404):
        web.get_for_user(request, Gathering, "gatherings.change_gathering", slug="no-such-gathering")
    with pytest.raises(Http404):
        web.get_for_user(request, None, "gatherings.change_gathering")
    with pytest.raises(Forbidden):
        web.get_for_user(request, Gathering, "gatherings.change_gathering", slug="conferencia")
    assert web.get_for_user(request, Gathering, slug="conferencia") == world.conference  # no perm asked


def test_it_hides_what_the_queryset_leaves_out_with_a_404(world):
    visible = Gathering.objects.exclude(country="MX")  # as a visibility filter would
    assert web.get_for_user(_request(world.alice), visible, pk=world.prep_co.pk) == world.prep_co
    with pytest.raises(Http404):
        web.get_for_user(_request(world.alice), visible, pk=world.prep_mx.pk)


# --- submit -------------------------------------------------------------------------


def test_it_submits_flashes_and_redirects_to_the_object(world):
    client = Client()
    response = client.post("/web-test/submit/", {"name": "Colectivo-Nuevo"})
    organisation = Organisation.objects.get(name="Colectivo-Nuevo")
    assert response.status_code == 302 and response["Location"] == organisation.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Saved Colectivo-Nuevo."]


def test_it_redirects_where_it_is_told(world):
    response = Client().post("/web-test/submit/?to=/somewhere/", {"name": "Otro Colectivo"})
    assert response.status_code == 302 and response["Location"] == "/somewhere/"


def test_it_renders_the_form_again_for_a_get_or_an_invalid_form(world):
    client = Client()
    assert client.get("/web-test/submit/").content == b"{}"
    response = client.post("/web-test/submit/", {"name": ""})
    assert response.status_code == 200 and b"'name'" in response.content and b"required" in response.content
    assert not Organisation.objects.exclude(pk__in=[world.org_co.pk, world.org_mx.pk]).exists()


@pytest.mark.parametrize("name, field, message", [
    ("taken", "name", "That name is taken."),
    ("mapped", "other_languages", "Unknown language."),
    ("nowhere", "__all__", "Try again later."),
    ("general", "__all__", "The registry is closed."),
])
def test_it_shows_a_refused_write_on_the_form_and_writes_nothing(world, name, field, message):
    before = Organisation.objects.count()
    response = Client().post("/web-test/submit/", {"name": name})
    assert response.status_code == 200
    assert f"'{field}': [{{'message': '{message}'" in response.content.decode()
    assert Organisation.objects.count() == before
    assert not list(get_messages(response.wsgi_request))


def test_it_answers_a_refused_submit_with_the_translated_403_page(world):
    response = Client().post("/web-test/submit/", {"name": "refused"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>No permitido</h1>" in page and "Su rol no permite hacer esto." in page
    assert "Not allowed" not in page


def test_it_answers_a_submit_for_a_missing_object_with_the_404_page(world):
    response = Client().post("/web-test/submit/", {"name": "missing"})
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


# --- perform ------------------------------------------------------------------------


def test_it_performs_flashes_success_and_redirects(world):
    response = Client().post("/web-test/perform/Colectivo-Nuevo/")
    assert response.status_code == 302 and response["Location"] == "/elsewhere/"
    assert Organisation.objects.filter(name="Colectivo-Nuevo").exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Done."]


def test_it_flashes_a_refused_action_and_redirects_the_same(world):
    response = Client().post("/web-test/perform/general/")
    assert response.status_code == 302 and response["Location"] == "/elsewhere/"
    flashed = list(get_messages(response.wsgi_request))
    assert [(str(m), m.level_tag) for m in flashed] == [("The registry is closed.", "error")]


def test_it_answers_a_refused_action_with_403_and_a_missing_object_with_404(world):
    client = Client()
    assert client.post("/web-test/perform/refused/").status_code == 403
    assert client.post("/web-test/perform/missing/").status_code == 404


# --- the middleware: refusals that escape a view -------------------------------------


def test_it_renders_an_escaped_refusal_as_the_translated_403_page(world):
    client = Client()
    client.cookies["django_language"] = "es"
    response = client.get("/web-test/escape/refused/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>No permitido</h1>" in page and 'lang="es"' in page
    assert response["Content-Security-Policy"]  # the answer still went through every middleware


def test_it_renders_an_escaped_not_found_as_the_translated_404_page(world):
    response = Client().get("/web-test/escape/missing/", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert response.status_code == 404
    assert "<h1>Página não encontrada</h1>" in response.content.decode()


def test_it_renders_any_other_escaped_refusal_as_the_400_page_not_a_500(world):
    response = Client().get("/web-test/escape/general/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert "<h1>Solicitud incorrecta</h1>" in response.content.decode()


def test_it_leaves_the_api_to_its_own_handler(world):
    with pytest.raises(errors.PermissionDenied):
        Client().get("/api/web-test/escape/refused/")
    assert Client().get("/web-test/escape/Colectivo-Nuevo/").content == b"written"


# --- pagination ---------------------------------------------------------------------


def test_it_paginates_and_forgives_a_bad_page_number(world):
    gatherings = Gathering.objects.order_by("slug")
    page = web.paginate(_request(query="page=2"), gatherings, 2)
    assert [g.slug for g in page.object_list] == ["prep-mx"] and page.paginator.num_pages == 2
    assert web.paginate(_request(query="page=nine"), gatherings, 2).number == 1
    assert web.paginate(_request(query="page=99"), gatherings, 2).number == 2
    assert web.paginate(_request(), gatherings, 2).number == 1


def test_it_keeps_the_query_without_the_page():
    assert web.query_without_page(_request(query="status=requested&page=3&role=delegate")) == (
        "status=requested&role=delegate"
    )
    assert web.query_without_page(_request(query="page=3")) == ""
