from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """Answers without touching the database or any slow service."""
    return JsonResponse({"status": "ok"})


def csrf_failure(request, reason=""):
    return render(request, "core/csrf_failure.html", status=403)


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "core/403.html", status=403)


def server_error(request):
    return render(request, "core/500.html", status=500)


def bad_request(request, exception=None):
    return render(request, "core/400.html", status=400)
