from django.http import HttpRequest, HttpResponse


def case_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
