from __future__ import annotations

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self) -> None:
        # A source added from an article's text brings its reader comments; definitions cannot
        # store them itself (it never imports comments), so it sends a signal and we store them.
        from comments import receivers
        from definitions.signals import source_imported

        source_imported.connect(
            receivers.store_imported_comments, dispatch_uid="comments.store_imported_comments"
        )
