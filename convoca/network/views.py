from django.shortcuts import render


def organisation_list(request):
    return render(request, "base.html")


def person_list(request):
    return render(request, "base.html")


def committee_list(request):
    return render(request, "base.html")
