"""Identity rules no sink should own: ids (which id each record is stored under), threads (the one
comment order) and limits (what any sink must narrow, such as ids beyond 64 bits)."""
