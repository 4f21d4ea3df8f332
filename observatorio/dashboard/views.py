from django.shortcuts import render

from observatorio.accounts.roles import ALL_ROLES, allow


@allow(*ALL_ROLES)
def home(request):
    return render(request, "dashboard/home.html", {})
