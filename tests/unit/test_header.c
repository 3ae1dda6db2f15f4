/* Compile-only check: the public header stands alone in plain C. */
#include <redline/redline.h>

#include <string.h>

int main(void)
{
    rl_ctx *ctx = rl_ctx_new();
    int ok = ctx && strcmp(rl_version(), RL_VERSION) == 0 &&
             rl_ctx_status(ctx) == RL_OK && rl_ctx_errmsg(ctx)[0] == '\0';
    rl_ctx_free(ctx);
    rl_ctx_free(NULL);
    rl_report_free(NULL);
    return ok && rl_report_exit_code(NULL) == 2 ? 0 : 1;
}
