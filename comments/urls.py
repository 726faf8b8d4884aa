from __future__ import annotations

app_name = "comments"

urlpatterns: list = []
