from django.conf import settings


def convoca(request):
    return {"SITE_NAME": "Convoca", "LANGUAGE_CHOICES": settings.LANGUAGES}
