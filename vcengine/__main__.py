from vcengine.cli import main

raise SystemExit(main())
