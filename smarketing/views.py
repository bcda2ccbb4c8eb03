from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Explain a rejected form in the site's look instead of Django's bare page."""
    return render(request, "403_csrf.html", status=403)
