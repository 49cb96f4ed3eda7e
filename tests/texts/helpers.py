from convoca.texts import services
from convoca.texts.models import Snapshot, Translation


def translate(user, obj, language, **fields):
    """Save ``fields`` as ``user``'s version of ``obj`` in ``language``, against the current revision."""
    return services.save_translation(user, obj, language, fields, obj.text_revision)


def written():
    """Every row texts keeps, to check that a refused write wrote nothing."""
    return (
        sorted(Translation.objects.values_list("target", "object_id", "language", "fields", "revision", "version")),
        sorted(Snapshot.objects.values_list("target", "object_id", "revision", "fields")),
    )
