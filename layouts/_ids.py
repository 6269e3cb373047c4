"""Every component id, one class per page; ids are kebab-case and prefixed by the page."""


class SHELL:
    url = "shell-url"
    filters = "shell-filters"
    year = "shell-tahun"
    month = "shell-bulan"
    indicator = "shell-indikator"
    puskesmas = "shell-puskesmas"
    desa = "shell-desa"
    kabupaten = "shell-kabupaten"  # only shown when the workspace holds several kabupaten (a province)
    alert = "shell-alert"
    alert_close = "shell-alert-tutup"
    nav_link = "shell-nav"  # pattern id {"type": nav_link, "page": <path>}
    user = "shell-pengguna"  # server mode: who is signed in, and the sign-out form
    logout_token = "shell-keluar-token"


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


class TREN:
    title = "tren-judul"
    lead = "tren-keterangan"
    stage = "tren-tahap"
    stage_graph = "tren-grafik-tahap"
    puskesmas_title = "tren-judul-puskesmas"
    puskesmas_lead = "tren-keterangan-puskesmas"
    puskesmas_graph = "tren-grafik-puskesmas"
    stage_codes = "tren-kode-tahap"
    puskesmas_codes = "tren-kode-puskesmas"


class PWS:
    title = "pws-judul"
    lead = "pws-keterangan"
    counts = "pws-jumlah-status"
    hint = "pws-petunjuk"
    chart = "pws-grafik"
    chart_box = "pws-grafik-kotak"
    grid = "pws-tabel"
    quick_filter = "pws-cari"
    shown = "pws-ditampilkan"
    shown_template = "pws-ditampilkan-templat"
    export = "pws-unduh-csv"
    level = "pws-tingkat"  # radio: table per desa / per posyandu (indicators with posyandu values)
    level_part = "pws-tingkat-bagian"
    posyandu = "pws-posyandu"  # dropdown: one posyandu or all
    posyandu_part = "pws-bagian-posyandu"
    posyandu_lead = "pws-posyandu-keterangan"
    posyandu_grid = "pws-tabel-posyandu"
    posyandu_export = "pws-posyandu-unduh"
    desa_part = "pws-bagian-desa"


class PETA:
    title = "peta-judul"
    subtitle = "peta-subjudul"
    notice = "peta-catatan"
    mode = "peta-warna"
    basemap = "peta-peta-jalan"
    breadcrumb = "peta-jejak"
    grid = "peta-tata-letak"
    map = "peta-choropleth"
    drawn = "peta-tergambar"  # store: the filters the map's values were drawn for
    legend = "peta-legenda"
    desa_list = "peta-daftar-desa"
    panel = "peta-panel-desa"
    trend = "peta-tren-desa"
    lineage = "peta-asal-angka"
    panel_key = "peta-panel-kunci"  # store: the desa view the panel shows
    go = "peta-pilih"  # pattern id {"type": go, "level": kabupaten|puskesmas|desa|tutup, "kode": <code or "">}
    network = "peta-jejaring"  # checklist: the service-network layer on/off
    network_drawn = "peta-jejaring-tergambar"  # store: where the layer's traces are and what they show
    network_legend = "peta-jejaring-legenda"
    network_panel = "peta-jejaring-desa"  # the desa's units in the side panel


class UNGGAH:
    upload = "unggah-berkas"  # dcc.Upload; Playwright sets files on "#unggah-berkas input"
    zone = "unggah-kotak"  # wrapper carrying the browser-side limits (data-* attributes) for assets/unggah.js
    limits = "unggah-batas"  # store: size limits and the messages the browser shows by itself
    gate = "unggah-gerbang"  # store: set by the clientside size check when the files may go to the server
    notice = "unggah-pemberitahuan"  # refusals found in the browser (file or upload too large)
    preview = "unggah-pratinjau"
    status = "unggah-status"  # progress, summary, messages
    confirm = "unggah-simpan"
    cancel = "unggah-batal"
    token = "unggah-token"  # store: the staging token (the bytes stay on the server)
    poll = "unggah-pantau"  # interval reading the ingest's progress file


class RAPAT:
    """The meeting-pack downloads on the Ringkasan page."""

    group = "rapat-unduh"
    pptx = "rapat-unduh-pptx"
    pdf = "rapat-unduh-pdf"
    xlsx = "rapat-unduh-xlsx"
    peta = "rapat-unduh-peta"
    download = "rapat-unduhan"
    status = "rapat-status"


class KUALITAS:
    title = "kualitas-judul"
    lead = "kualitas-keterangan"
    summary = "kualitas-ringkasan"
    scores = "kualitas-skor"
    matrix = "kualitas-matriks"
    indicators = "kualitas-indikator"
    check = "kualitas-cek"  # dropdown: one check, or all
    grid = "kualitas-temuan"
    shown = "kualitas-ditampilkan"
    shown_template = "kualitas-ditampilkan-templat"
    drawn = "kualitas-tergambar"  # store: the view the overview shows (a change of indikator or desa keeps it)
    listed = "kualitas-terdaftar"  # store: the view and check the findings grid shows
    pick = "kualitas-pilih"  # pattern id {"type": pick, "kode": <kode_puskesmas>, "asal": "kartu" | "matriks"}
    peta_marks = "kualitas-tanda-peta"  # the findings about the chosen desa's value, inside the Peta desa panel


class JEJARING:
    lead = "jejaring-keterangan"
    empty = "jejaring-kosong"  # how to add jejaring.csv, when the workspace has none
    summary = "jejaring-ringkasan"
    network_part = "jejaring-bagian-celah"
    gaps = "jejaring-celah"  # grid: desa without pustu or posyandu
    gaps_shown = "jejaring-celah-jumlah"
    gaps_export = "jejaring-celah-unduh"
    by_puskesmas = "jejaring-per-puskesmas"
    silent_part = "jejaring-bagian-lapor"
    silent_title = "jejaring-lapor-judul"
    silent_note = "jejaring-lapor-catatan"
    silent = "jejaring-belum-lapor"  # grid: posyandu that did not report this month
    silent_export = "jejaring-lapor-unduh"
    history_part = "jejaring-bagian-riwayat"
    posyandu = "jejaring-posyandu"  # dropdown: one posyandu
    history_note = "jejaring-riwayat-catatan"
    history_chart = "jejaring-riwayat-grafik"
    history = "jejaring-riwayat"  # grid: the recent values month by month
    problems_part = "jejaring-bagian-masalah"
    problems_title = "jejaring-masalah-judul"
    problems = "jejaring-masalah"
    drawn = "jejaring-tergambar"  # store: the view the page shows
    pick = "jejaring-pilih"  # pattern id {"type": pick, "kode": <kode_puskesmas>}: a puskesmas of the table
