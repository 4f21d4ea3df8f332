"""Template pieces of the programmes that several pages share: the subscribe/unsubscribe button (indicator page,
area profile) and the programme's activity forms, so that the pages' views need not know about them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("programmes/_subscribe.html", takes_context=True)
def subscribe_button(context, indicator=None, measure_code="", area_id=None):
    """«Avisarme» / «Dejar de avisarme» for the signed-in user: an indicator, or a measure in an area."""
    from observatorio.programmes.alert_views import subscription_of

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    measure, sub = subscription_of(user, indicator=indicator, measure_code=measure_code, area_id=area_id)
    if indicator is None and measure is None:
        return {"show": False}
    return {"show": True, "indicator": indicator, "measure": measure, "area_id": area_id, "sub": sub,
            "csrf_token": context.get("csrf_token"), "next": request.get_full_path()}


@register.inclusion_tag("programmes/_activity_forms.html", takes_context=True)
def activity_forms(context, programme):
    """The forms that register activities and upload activities and beneficiaries: for the programme's unit
    (members, head) and administrators only."""
    from observatorio.programmes.activities import can_record
    from observatorio.programmes.activity_views import ActivityForm

    request = context.get("request")
    if request is None or not can_record(request.user, programme):
        return {"show": False}
    return {"show": True, "programme": programme, "form": ActivityForm(programme=programme),
            "csrf_token": context.get("csrf_token")}
