from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "convoca.core"
    label = "core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .files import narrow_sqlite_files

        # Infrastructure, not domain logic: every new database connection, whoever opens it.
        connection_created.connect(narrow_sqlite_files, dispatch_uid="convoca.core.narrow_sqlite_files")
