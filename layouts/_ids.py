"""Every component id, one class per page; ids are kebab-case and prefixed by the page."""


class SHELL:
    url = "shell-url"
    filters = "shell-filters"
    year = "shell-tahun"
    month = "shell-bulan"
    indicator = "shell-indikator"
    puskesmas = "shell-puskesmas"
    desa = "shell-desa"
    alert = "shell-alert"
    alert_close = "shell-alert-tutup"
    nav_link = "shell-nav"  # pattern id {"type": nav_link, "page": <path>}


class WILAYAH:
    map = "wilayah-peta"
    summary = "wilayah-ringkasan"


class RINGKASAN:
    title = "ringkasan-judul"
    subtitle = "ringkasan-subjudul"
    notice = "ringkasan-catatan"
    cards = "ringkasan-kartu"
    league = "ringkasan-peringkat"
    attention = "ringkasan-perhatian"
