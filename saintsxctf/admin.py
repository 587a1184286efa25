"""Admin building blocks shared by every app's admin."""

from django.contrib import admin


@admin.action(description="Soft delete the selected rows")
def soft_delete_selected(modeladmin, request, queryset):
    count = queryset.soft_delete()
    modeladmin.message_user(request, f"Soft deleted {count} row(s).")


@admin.action(description="Restore the selected soft-deleted rows")
def restore_selected(modeladmin, request, queryset):
    count = queryset.update(deleted=False, deleted_date=None, deleted_user=None, deleted_app=None)
    modeladmin.message_user(request, f"Restored {count} row(s).")


class AuditedAdmin(admin.ModelAdmin):
    """Shows deleted rows too (with a filter), the audit columns read-only, and soft delete/restore."""

    audit_fields = (
        "deleted", "created_date", "created_user", "created_app", "modified_date", "modified_user",
        "modified_app", "deleted_date", "deleted_user", "deleted_app",
    )
    actions = [soft_delete_selected, restore_selected]
    list_per_page = 50

    def get_queryset(self, request):
        return self.model.all_objects.get_queryset()

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.audit_fields)

    def get_list_filter(self, request):
        return ("deleted", *super().get_list_filter(request))
