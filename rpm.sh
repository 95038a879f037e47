rpm -qlp dist/tlsfloor-*.x86_64.rpm
rpm -qp --requires dist/tlsfloor-*.x86_64.rpm
