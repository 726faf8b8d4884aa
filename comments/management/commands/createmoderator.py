"""Create a moderator: a staff account in the "Moderators" group, with nothing more."""

from __future__ import annotations

import getpass
import os
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

GROUP_NAME = "Moderators"
PASSWORD_ENV = "SMSN_MODERATOR_PASSWORD"  # noqa: S105 (the name of a variable, not a secret)


class Command(BaseCommand):
    help = (
        "Create a moderator account (staff, in the Moderators group). The password is asked "
        f"twice, or read from the environment variable {PASSWORD_ENV} for scripts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Where the moderator can be reached.")

    def handle(self, *args, username: str, email: str, **options) -> None:
        User = get_user_model()
        try:
            group = Group.objects.get(name=GROUP_NAME)
        except Group.DoesNotExist:
            raise CommandError(
                f'There is no "{GROUP_NAME}" group; run "manage.py migrate" first.'
            ) from None
        user = User(username=username, email=email, is_staff=True)
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(_describe(error)) from None

        password = self.read_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(
                "This password is not accepted: " + " ".join(error.messages)
            ) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f'Moderator "{username}" created.'))

    def read_password(self) -> str:
        """Return the password from the environment, or asked twice on the terminal."""
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password: set {PASSWORD_ENV} or run this command in a terminal."
            )
        password = getpass.getpass("Password: ")
        if not password:
            raise CommandError("The password cannot be empty.")
        if getpass.getpass("Password (again): ") != password:
            raise CommandError("The two passwords differ; nothing was created.")
        return password


def _describe(error: ValidationError) -> str:
    return " ".join(
        f"{field}: {message}" if field != "__all__" else message
        for field, messages in error.message_dict.items()
        for message in messages
    )
