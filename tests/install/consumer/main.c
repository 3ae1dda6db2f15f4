/* Prints the installed library's version. */
#include <redline/redline.h>
#include <stdio.h>

int main(void)
{
    printf("%s\n", rl_version());
    return 0;
}
