def total(rows, column):
    return sum(int(row[column]) for row in rows)
