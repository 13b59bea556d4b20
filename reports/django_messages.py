"""Django's own form messages our pages can show, in our catalogue: Django's Burmese catalogue
translates one message in eight, so a partner reading Burmese saw "This field is required." or
"Select a valid choice" in English. The project's catalogue (LOCALE_PATHS) takes precedence over
Django's; listed here, `makemessages` keeps them in it and `msgfmt --check` checks them. Never
evaluated: the strings must stay exactly Django's (Django 5.2)."""

from django.utils.translation import gettext_noop, ngettext_lazy

MESSAGES = (
    # django/forms/fields.py
    gettext_noop("This field is required."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("No file was submitted. Check the encoding type on the form."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Enter a list of values."),
    gettext_noop("Enter a complete value."),
    # django/forms/models.py
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("“%(pk)s” is not a valid value."),
    # django/forms/formsets.py
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "%(field_names)s. You may need to file a bug report if the issue persists."
    ),
    # django/core/validators.py
    gettext_noop("Enter a valid value."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid integer."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a number."),
    gettext_noop("Null characters are not allowed."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
)

PLURALS = (
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        0,
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        0,
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        0,
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        0,
    ),
    ngettext_lazy("Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", 0),
    ngettext_lazy(
        "Please submit at least %(num)d form.", "Please submit at least %(num)d forms.", 0
    ),
)
