"""Template filters for the comparison and source pages."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import apnumber

register = template.Library()

# "five articles", not "5 articles", in running text; 10 and above stay digits. Borrowed from
# django.contrib.humanize without installing the app for one filter.
register.filter("apnumber", apnumber)
