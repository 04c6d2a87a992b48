# Fill ${NAME} placeholders of alertmanager.yml.tmpl from the environment.
# Usage: awk -f render-config.awk alertmanager.yml.tmpl > alertmanager.yml
# Values land inside YAML double quotes, so backslashes and double quotes are escaped. A placeholder
# whose variable is unset or empty aborts with exit status 2 and the variable's name on stderr.
# Comment lines pass through untouched (the template's header names the placeholder syntax).
/^[ \t]*#/ { print; next }
{
    line = $0
    out = ""
    while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
        name = substr(line, RSTART + 2, RLENGTH - 3)
        if (!(name in ENVIRON) || ENVIRON[name] == "") {
            print "render-config: " name " is not set (see .env.example)" > "/dev/stderr"
            exit 2
        }
        value = ENVIRON[name]
        gsub(/\\/, "\\\\", value)
        gsub(/"/, "\\\"", value)
        out = out substr(line, 1, RSTART - 1) value
        line = substr(line, RSTART + RLENGTH)
    }
    print out line
}
