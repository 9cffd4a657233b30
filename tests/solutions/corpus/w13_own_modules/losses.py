def error(target, output):
    return output - target
