# Una sola forma de escribir un día en español, en páginas, gráficos, correos y el admin.
# El mes abreviado va en minúscula, como se escribe en español: "4 dic 2026".
DATE_FORMAT = SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j b Y, H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
