"""Sample files as Excel writes them."""

from .helpers import csv_bytes

# Excel (Spanish Windows): Windows-1252, semicolons, Spanish headers.
ORGS_CP1252 = csv_bytes(
    [["Nombre", "País", "Sector", "Sitio web"],
     ["Confederación General", "Perú", "Sindicato", ""],
     ["Red de Mujeres Migrantes", "Guatemala", "Derechos de migrantes", "www.redmujeres.org"],
     ["sindicato andino", "COL", "sindicato", "sindicatoandino.org"]],
    delimiter=";", encoding="cp1252",
)
