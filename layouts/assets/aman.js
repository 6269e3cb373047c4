// Safe exports in the browser: the rule of pws/safety.py `neutralise`, for AG Grid's CSV download.
// A text cell beginning with =, +, -, @, a tab or a carriage return is a formula to Excel and LibreOffice ("CSV
// injection"); a leading ' makes them show it as text. Numbers are left alone (a negative number is a number).
window.dashAgGridFunctions = window.dashAgGridFunctions || {};
window.dashAgGridFunctions.pwsCsvCell = function (params) {
    var value = params.value;
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(value)) {
        return "'" + value;
    }
    return value;
};
