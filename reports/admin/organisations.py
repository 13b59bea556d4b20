"""Organisations, their members and the user accounts in the Django admin, each with the
history of its changes (the History button)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from reports import keys
from reports.models import Membership, Organization

from .change_history import ChangeHistoryAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(ChangeHistoryAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = (MembershipInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # Its API clients' keys stop (or start) working now, not when the read cache of
            # their clients expires.
            keys.forget_clients(obj.api_clients.all())


@admin.register(Membership)
class MembershipAdmin(ChangeHistoryAdmin):
    """Mostly edited inline on the organisation or the account; here for its history."""

    list_display = ("user", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("user__username", "organization__name")
    autocomplete_fields = ("user",)


class UserMembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(ChangeHistoryAdmin, UserAdmin):
    inlines = (UserMembershipInline,)
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")
