"""Every component id, one class per page; ids are kebab-case and prefixed by the page."""


class SHELL:
    filters = "shell-filters"
    year = "shell-tahun"
    month = "shell-bulan"
    indicator = "shell-indikator"
    alert = "shell-alert"


class WILAYAH:
    map = "wilayah-peta"
    summary = "wilayah-ringkasan"
