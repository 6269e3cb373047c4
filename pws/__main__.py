from pws.cli import main

raise SystemExit(main())
